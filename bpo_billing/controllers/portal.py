"""The client portal: agreements, invoices, usage statements and disputes."""
