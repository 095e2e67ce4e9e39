/** @odoo-module */

import { accountTourSteps } from "@account/js/tours/account";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function addLine(product, fieldName, value) {
    return [
        {
            content: "Add a billing rule",
            trigger: 'div[name="line_ids"] .o_field_x2many_list_row_add a',
            run: "click",
        },
        {
            content: `Choose ${product}`,
            trigger: '.modal div[name="product_id"] input',
            run: `edit ${product}`,
        },
        {
            trigger: `.ui-menu-item a:contains("${product}")`,
            run: "click",
        },
        {
            content: `Set the ${fieldName}`,
            trigger: `.modal div[name="${fieldName}"] input`,
            run: `edit ${value}`,
        },
        {
            content: "Save the rule",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: `div[name="line_ids"] .o_data_row:contains("${product}")`,
        },
    ];
}

registry.category("web_tour.tours").add("bpo_agreement_tour", {
    url: "/odoo",
    steps: () => [
        ...accountTourSteps.goToAccountMenu("Open Invoicing"),
        {
            content: "Open the Customers menu",
            trigger: '.o_main_navbar span:contains("Customers")',
            run: "click",
        },
        {
            content: "Open the service agreements",
            trigger: '.dropdown-item:contains("Service Agreements")',
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Service Agreements)",
        },
        {
            content: "Create an agreement",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the client",
            trigger: 'div[name="partner_id"] input',
            run: "edit Tour Client",
        },
        {
            trigger: '.ui-menu-item a:contains("Tour Client")',
            run: "click",
        },
        ...addLine("Tour Retainer", "price_unit", "8000"),
        ...addLine("Tour Agent", "quantity", "12"),
        ...stepUtils.saveForm(),
        {
            content: "Activate the agreement",
            trigger: 'button[name="action_activate"]',
            run: "click",
        },
        {
            content: "The agreement is active",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Active")',
        },
    ],
});
