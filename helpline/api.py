"""The helpline in the API: contacts for listeners, statistics for the listeners, the clinical
lead and the auditor. Anyone else gets 404, as on the pages. The paths start with
/api/v1/helpline/, which helpline.middleware strips of the caller's address."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import call_service
from common.http import APIViewMixin
from helpline import services, statistics
from helpline.models import CODE_LENGTH, Contact, ProblemTag, ReferralService
from helpline.permissions import can_log_contacts, can_read_statistics
from helpline.views import period_of

NOT_FOUND = OpenApiResponse(description="Not a helpline listener (or, for statistics, reader).")


class Listeners(permissions.BasePermission):
    def has_permission(self, request, view):
        if not can_log_contacts(request.user):
            raise exceptions.NotFound
        return True


class StatisticsReaders(permissions.BasePermission):
    def has_permission(self, request, view):
        if not can_read_statistics(request.user):
            raise exceptions.NotFound
        return True


class ContactSerializer(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=ProblemTag.objects.all()
    )
    referral = serializers.PrimaryKeyRelatedField(
        queryset=ReferralService.objects.all(), required=False, allow_null=True
    )
    code = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=CODE_LENGTH + 4,
        help_text="The caller's follow-up code, if they give one: links their earlier contacts.",
    )
    give_code = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Make a new follow-up code for the caller; returned once, in new_code.",
    )
    new_code = serializers.SerializerMethodField(
        help_text="The code just made (give_code), shown this once; empty otherwise."
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "channel",
            "started_at",
            "duration_minutes",
            "missed",
            "hung_up",
            "repeat",
            "caller_type",
            "tags",
            "referral",
            "summary",
            "summary_erased_at",
            "follow_up",
            "code",
            "give_code",
            "new_code",
        ]
        read_only_fields = ["id", "missed", "summary_erased_at", "follow_up"]
        extra_kwargs = {"started_at": {"required": False}}

    def get_new_code(self, contact) -> str:
        return getattr(contact, "new_code", "")


@extend_schema(responses={200: ContactSerializer(many=True), 404: NOT_FOUND})
class ContactListAPI(APIViewMixin, generics.ListCreateAPIView):
    """The line's contacts, latest first (listeners)."""

    serializer_class = ContactSerializer
    permission_classes = [permissions.IsAuthenticated, Listeners]
    queryset = Contact.objects.prefetch_related("tags").order_by("-started_at", "-pk")

    @extend_schema(responses={201: ContactSerializer, 404: NOT_FOUND})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        logged = call_service(
            services.contact_log,
            actor=request.user,
            channel=data["channel"],
            started_at=data.get("started_at"),
            duration_minutes=data.get("duration_minutes", 0),
            hung_up=data.get("hung_up", False),
            repeat=data.get("repeat", False),
            caller_type=data.get("caller_type", ""),
            tags=data.get("tags", []),
            referral=data.get("referral"),
            summary=data.get("summary", ""),
            give_code=data.get("give_code", False),
            code=data.get("code", ""),
        )
        logged.contact.new_code = logged.new_code
        return Response(self.get_serializer(logged.contact).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: ContactSerializer, 404: NOT_FOUND})
class ContactDetailAPI(APIViewMixin, generics.RetrieveAPIView):
    serializer_class = ContactSerializer
    permission_classes = [permissions.IsAuthenticated, Listeners]
    queryset = Contact.objects.prefetch_related("tags")
    lookup_url_kwarg = "contact_id"


class StatisticsAPI(APIViewMixin, APIView):
    """The figures of a year (by month) or of a month. A count under 5 is hidden, and so are
    enough others that it cannot be worked out from the totals: a hidden figure reads "×"."""

    permission_classes = [permissions.IsAuthenticated, StatisticsReaders]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Default: this year."),
            OpenApiParameter("month", int, description="1 to 12; none: the whole year."),
        ],
        responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND},
    )
    def get(self, request):
        year, month = period_of(request)
        return Response(statistics.as_data(statistics.figures(year, month)))
