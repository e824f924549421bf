"""The audit app's models, from its layers: recording (access log, change events), control
(rules, flags, samples, corrective actions) and report snapshots. Django loads this module;
each layer keeps its own tables in its own package."""

from .control.importing.models import *  # noqa: F403
from .control.models import *  # noqa: E402, F403
from .control.retention_models import *  # noqa: E402, F403
from .control.unchanged_models import *  # noqa: E402, F403
from .idempotency_models import *  # noqa: E402, F403
from .key_figure_fact_models import *  # noqa: E402, F403
from .recording.models import *  # noqa: F403
from .recording.webhook_models import *  # noqa: E402, F403
from .report_models import *  # noqa: E402, F403
