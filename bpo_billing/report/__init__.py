# SQL views (_auto = False) behind the BPO Billing reports
from . import report_usage_statement
from . import bpo_cash_forecast_report
from . import bpo_commitment_report
from . import bpo_dispute_report
from . import bpo_receivable_ageing_report
from . import bpo_revenue_report
from . import bpo_payment_history
from . import bpo_staffing_report
