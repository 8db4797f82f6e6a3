"""The statistics in the API: groups of numbers only, never a name, a file number or a date of
birth. The clinical lead's (permissions.can_read_statistics): anyone else gets 403."""

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import Action, record_access
from casework.models import Authority, LegalFramework
from casework.selectors import clinicians
from clinic_statistics import follow_up, indicators
from clinic_statistics.permissions import can_read_statistics
from common.api import BoundedDateField
from common.http import APIViewMixin


class StatisticsReaders(permissions.BasePermission):
    message = gettext_lazy("The statistics are the clinical lead's.")

    def has_permission(self, request, view):
        return can_read_statistics(request.user)


class FollowUpQuerySerializer(serializers.Serializer):
    event = serializers.ChoiceField(
        choices=[
            ("sexual", gettext_lazy("A new sexual offence")),
            ("violent", gettext_lazy("A new violent offence")),
            ("any", gettext_lazy("Any new offence")),
        ],
        help_text="The event: a first new offence of this category (any: of any category).",
    )
    window_years = serializers.ChoiceField(
        choices=list(follow_up.WINDOW_YEARS),
        help_text="Follow-up is cut at this many years after the start of treatment.",
    )
    group = serializers.ChoiceField(
        choices=[
            (follow_up.COMPLETION, gettext_lazy("Completed or stopped treatment")),
            (follow_up.RISK_LEVEL, gettext_lazy("Risk level at intake")),
        ],
        required=False,
        help_text="Split the cohort: by how the first episode of care ended, or by the "
        "Static-99R level at intake. Absent: one group of everyone.",
    )
    started_from = BoundedDateField(
        required=False, help_text="Treatment started on or after this day."
    )
    started_to = BoundedDateField(
        required=False, help_text="Treatment started on or before this day."
    )

    def validate(self, data):
        start, end = data.get("started_from"), data.get("started_to")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"started_to": _("The end of the period must come after its start.")}
            )
        return data


class StepSerializer(serializers.Serializer):
    months = serializers.FloatField(help_text="Months since the start of treatment.")
    at_risk = serializers.IntegerField(help_text="Patients still followed just before.")
    events = serializers.IntegerField(help_text="First new offences at this time.")
    censored = serializers.IntegerField(help_text="Patients whose follow-up ends here.")
    survival = serializers.FloatField(allow_null=True, help_text="Kaplan–Meier estimate.")
    ci_low = serializers.FloatField(allow_null=True, help_text="95% interval, log–log.")
    ci_high = serializers.FloatField(allow_null=True, help_text="95% interval, log–log.")


class CurveSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The group: all, or a completion or risk group.")
    n = serializers.IntegerField(help_text="Patients in the group.")
    steps = StepSerializer(many=True)


class FollowUpSerializer(serializers.Serializer):
    groups = CurveSerializer(many=True)


class FollowUpStatisticsAPI(APIViewMixin, APIView):
    """What happened after treatment: Kaplan–Meier curves from the start of treatment to a
    first new offence (docs/statistics.md). A group of fewer than five patients is answered all
    the same: read it as the handful of people it is."""

    permission_classes = [permissions.IsAuthenticated, StatisticsReaders]

    @extend_schema(parameters=[FollowUpQuerySerializer], responses={200: FollowUpSerializer})
    def get(self, request):
        query = FollowUpQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        curves = follow_up.follow_up_curves(request.user, **query.validated_data)
        record_access(
            actor=request.user,
            action=Action.VIEW,
            object_type="clinic_statistics.follow_up",
            label=gettext_lazy("Statistics: follow-up after treatment"),
        )
        return Response(FollowUpSerializer({"groups": curves}).data)


class IndicatorsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=indicators.EARLIEST_YEAR, max_value=2100, help_text="The calendar year."
    )
    legal_framework = serializers.PrimaryKeyRelatedField(
        queryset=LegalFramework.objects.all(),
        required=False,
        help_text="Only the patients with a mandate under this framework during the year.",
    )
    authority = serializers.PrimaryKeyRelatedField(
        queryset=Authority.objects.all(),
        required=False,
        help_text="Only the patients with a mandate of this authority during the year.",
    )
    clinician = serializers.PrimaryKeyRelatedField(
        queryset=clinicians(),
        required=False,
        help_text="Only the patients in this clinician's care team during the year.",
    )


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """A count as an integer, a share or a median as a decimal, as computed."""

    def to_representation(self, value):
        return value


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = NumberField(allow_null=True, help_text="null: nothing to count.")
    unit = serializers.CharField(help_text='"" (a count), "days", "months" or "%".')
    denominator = serializers.IntegerField(
        allow_null=True, help_text="What a share, a median or a percentile is counted out of."
    )
    definition = serializers.CharField()


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    definition = serializers.CharField()
    rows = RowSerializer(many=True)
    total = serializers.IntegerField()


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField()
    figures = FigureSerializer(many=True)
    tables = TableSerializer(many=True)


class IndicatorsSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="question.year")
    filters = serializers.DictField(child=serializers.CharField(), source="question.filters")
    sections = SectionSerializer(many=True)


class IndicatorsAPI(APIViewMixin, APIView):
    """The clinic's indicators for a year (docs/statistics.md): counts, medians and shares,
    each with its definition and denominator; never a name or a file number."""

    permission_classes = [permissions.IsAuthenticated, StatisticsReaders]

    @extend_schema(parameters=[IndicatorsQuerySerializer], responses={200: IndicatorsSerializer})
    def get(self, request):
        query = IndicatorsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        question = indicators.Question(**query.validated_data)
        figures = indicators.indicators(request.user, question)
        record_access(
            actor=request.user,
            action=Action.VIEW,
            object_type="clinic_statistics.indicators",
            label=format_lazy(
                gettext_lazy("Statistics: the indicators of {year}"), year=question.year
            ),
        )
        return Response(IndicatorsSerializer(figures).data)
