/** @odoo-module */

import { accountTourSteps } from "@account/js/tours/account";
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("bpo_follow_up_tour", {
    url: "/odoo",
    steps: () => [
        ...accountTourSteps.goToAccountMenu("Open Invoicing"),
        {
            content: "Open the Customers menu",
            trigger: '.o_main_navbar span:contains("Customers")',
            run: "click",
        },
        {
            content: "Open the follow-up",
            trigger: '.dropdown-item:contains("Follow-up")',
            run: "click",
        },
        {
            content: "Unfold the late client",
            trigger: '.o_group_name:contains("Tour Late Client")',
            run: "click",
        },
        {
            content: "Unfold the invoices not reminded yet",
            trigger: '.o_group_name:contains("None")',
            run: "click",
        },
        {
            content: "Open the overdue invoice",
            trigger: '.o_data_row:contains("Tour Late Client") td[name="name"]',
            run: "click",
        },
        {
            content: "Send the reminder",
            trigger: 'button[name="action_bpo_send_reminder"]',
            run: "click",
        },
        {
            content: "The reminder is in the chatter",
            trigger: '.o-mail-Message:contains("Reminder Final notice applied")',
        },
    ],
});
