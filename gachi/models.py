"""Imports every area's models so Alembic and the mappers see them all."""

from gachi.auth.models import (  # noqa: F401
    LoginFailure,
    PasswordResetCode,
    PrivacyConsent,
    RecoveryCode,
    User,
)
from gachi.ballots.models import (  # noqa: F401
    Ballot,
    BallotBox,
    BallotOption,
    BallotVoter,
    PaperTally,
    PaperTallyLine,
)
from gachi.bizmodels.models import (  # noqa: F401
    Adoption,
    BusinessModel,
    ModelBudgetLine,
    ModelEnterpriseKind,
)
from gachi.complexes.models import (  # noqa: F401
    Cohort,
    Complex,
    Household,
    InvitationCode,
    Participation,
    ReminderLeadTimes,
    StageMove,
)
from gachi.coordinators.models import Placement  # noqa: F401
from gachi.core.audit import AuditEntry, AuditSubject  # noqa: F401
from gachi.districts.models import DistrictCover, DistrictOffice  # noqa: F401
from gachi.enterprises.models import (  # noqa: F401
    Enterprise,
    EnterpriseCategory,
    EnterpriseDistrict,
    ImportJob,
)
from gachi.evaluations.models import Evaluation, EvaluationFigure, EvaluationOrganiser  # noqa: F401
from gachi.kpi.models import Kpi, KpiEntry, KpiTarget  # noqa: F401
from gachi.matching.models import Match, Rating  # noqa: F401
from gachi.notices.models import Notice  # noqa: F401
from gachi.notifications.models import (
    Notification,  # noqa: F401
    NotificationPreference,  # noqa: F401
    SentReminder,  # noqa: F401
)
from gachi.people.models import Person  # noqa: F401
from gachi.plans.models import BudgetLine, ExecutionPlan, SpendingEntry  # noqa: F401
from gachi.programs.bookings.models import Booking  # noqa: F401
from gachi.programs.calendar.models import CalendarToken  # noqa: F401
from gachi.programs.feedback.models import Feedback  # noqa: F401
from gachi.programs.models import Program, ProgramEnterprise, ScheduleException  # noqa: F401
from gachi.programs.rosters.models import RosterEntry, VolunteerShift  # noqa: F401
from gachi.programs.sessions.models import ProgramSession  # noqa: F401
from gachi.proposals.models import Category, Problem, ProblemComment, ProblemSupport  # noqa: F401  # noqa: F401
from gachi.scheduler import JobRun  # noqa: F401
from gachi.workshops.models import Workshop, WorkshopAttachment, WorkshopAttendance  # noqa: F401
