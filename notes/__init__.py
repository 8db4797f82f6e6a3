"""The clinical zone's notes: session notes and the therapist's personal notes, signed then final,
completed by addenda. Only the care team's clinicians and the clinical lead read them."""
