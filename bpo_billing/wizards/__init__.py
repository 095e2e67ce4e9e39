from . import bpo_generate_invoices_wizard
from . import bpo_usage_import
from . import bpo_staffing_ramp
