"""The workspace: the pages that put several zones side by side for one person — each role's
home page, the patient page, the to-do list — and the navigation. The top layer: it may read
every zone through that zone's own selectors and permissions; nothing below imports it."""
