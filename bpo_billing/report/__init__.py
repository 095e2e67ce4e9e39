# SQL views (_auto = False) behind the BPO Billing reports
