from . import portal
from . import portal_usage_review
