/** @odoo-module */

import { registry } from "@web/core/registry";

async function checkDownload(anchor, contentType, expectedText) {
    const response = await fetch(anchor.href);
    const body = await response.text();
    if (!response.ok) {
        throw new Error(`${anchor.href} answered ${response.status}`);
    }
    if (!response.headers.get("Content-Type").startsWith(contentType)) {
        throw new Error(`${anchor.href} is ${response.headers.get("Content-Type")}`);
    }
    if (!body.includes(expectedText)) {
        throw new Error(`${anchor.href} does not list ${expectedText}`);
    }
}

registry.category("web_tour.tours").add("bpo_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open My agreements",
            trigger: '.o_portal_index_card:not(.d-none) a[href="/my/agreements"]',
            run: "click",
        },
        {
            content: "Open the agreement",
            trigger: "a.o_bpo_agreement_link",
            run: "click",
        },
        {
            content: "The agreement shows its metered billing rule",
            trigger: '#bpo_agreement_lines .o_bpo_agreement_line:contains("Tour Handled Minute")',
        },
        {
            content: "The agreement shows its next invoice date",
            trigger: ".o_bpo_next_invoice",
        },
        {
            content: "Download the usage statement as CSV",
            trigger: "#bpo_agreement_periods a.o_bpo_usage_csv",
            async run() {
                await checkDownload(this.anchor, "text/csv", "TOUR-0001");
            },
        },
        {
            content: "Download the usage statement as PDF",
            trigger: "#bpo_agreement_periods a.o_bpo_usage_pdf",
            async run() {
                await checkDownload(this.anchor, "application/pdf", "TOUR-0001");
            },
        },
        {
            content: "Open the agreement's invoice",
            trigger: "#bpo_agreement_invoices a.o_bpo_invoice_link",
            run: "click",
        },
        {
            content: "Open the dispute form",
            trigger: "#bpo_dispute_button",
            run: "click",
        },
        {
            content: "Choose the metered line",
            trigger: '#bpo_dispute_form .form-check:contains("Tour Handled Minute") input',
            run: "click",
        },
        {
            content: "Enter the disputed amount",
            trigger: "#bpo_dispute_amount",
            run: "edit 42.50",
        },
        {
            content: "Explain why",
            trigger: "#bpo_dispute_reason",
            run: "edit The calls of 12 January were a test campaign",
        },
        {
            content: "Send the dispute",
            trigger: "#bpo_dispute_submit",
            run: "click",
        },
        {
            content: "The dispute is sent",
            trigger: ".o_bpo_dispute_filed",
        },
        {
            content: "The dispute is listed as open",
            trigger: '#bpo_disputes .o_bpo_dispute:contains("42.50"):contains("Open")',
        },
    ],
});
