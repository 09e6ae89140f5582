"""Display wording for the domain's codes. The domain speaks in enums; people read these.

Functions, not module constants, so the text follows the language chosen at start-up. (QR labels
for machines are documents: see `documents/labels_pdf.py`.)
"""

from __future__ import annotations

from desktop_app.wording.catalogue import (
    company_field_label,
    company_problems_text,
    end_of_life_mark,
    model_problems_text,
    model_with_end_of_life,
    technology_label,
)
from desktop_app.wording.coverage import (
    condition_label,
    coverage_text,
    eligibility_refusal_text,
    onsite_refusal_text,
    warranty_text,
)
from desktop_app.wording.notices import notice_text
from desktop_app.wording.problems import (
    contract_problems_text,
    foreign_code_text,
    machine_problems_text,
    policy_issue_text,
    visit_problems_text,
)
from desktop_app.wording.records import (
    audit_action_label,
    audit_code_label,
    audit_entity_label,
    audit_field_label,
    billing_line_label,
    contract_state_label,
    job_label,
    role_label,
)
from desktop_app.wording.tickets import (
    channel_label,
    closing_for_refusal_text,
    event_label,
    explanation_lines,
    lifecycle_refusal_text,
    severity_label,
    sla_target_label,
    sla_text,
    status_label,
)

__all__ = [
    "audit_action_label",
    "audit_code_label",
    "audit_entity_label",
    "audit_field_label",
    "billing_line_label",
    "channel_label",
    "closing_for_refusal_text",
    "company_field_label",
    "company_problems_text",
    "condition_label",
    "contract_problems_text",
    "contract_state_label",
    "coverage_text",
    "eligibility_refusal_text",
    "end_of_life_mark",
    "event_label",
    "explanation_lines",
    "foreign_code_text",
    "job_label",
    "lifecycle_refusal_text",
    "machine_problems_text",
    "model_problems_text",
    "model_with_end_of_life",
    "notice_text",
    "onsite_refusal_text",
    "policy_issue_text",
    "role_label",
    "severity_label",
    "sla_target_label",
    "sla_text",
    "status_label",
    "technology_label",
    "visit_problems_text",
    "warranty_text",
]
