"""Response and command (应急响应/指挥调度): events with response levels, scenario checklists and tasks, risk
assessment and consultation, epidemiological investigation and close contacts, situation reports, inspections."""
