# res.company first: agreement defaults read its fields when a column is added on upgrade
from . import res_company
from . import bpo_agreement
from . import bpo_agreement_billing
from . import bpo_agreement_line
from . import bpo_agreement_tier
from . import bpo_billing_period
from . import bpo_dispute
from . import bpo_dunning_line
from . import bpo_dunning_policy
from . import bpo_dunning_stage
from . import bpo_usage
from . import account_move
from . import account_move_line
from . import product_template
from . import res_config_settings
from . import res_partner
from . import sale_order
