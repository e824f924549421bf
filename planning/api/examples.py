"""Examples of the main requests in this app's API, for the schema: fictional content, placeholder
ids (see cases/api/examples.py); tests/platform/test_openapi.py validates each against its serializer."""

from cases.api.examples import request_example

PLAN_CREATE = [request_example("plan", "En genomförandeplan med ett delmål och en aktivitet", {
    "applicant": 1031,
    "case": 388,
    "assessment": 644,
    "made_on": "2026-11-10",
    "long_term_goal": "Egen försörjning genom arbete inom lager och logistik inom ett år.",
    "areas_to_maintain": "Goda rutiner och ett stort intresse för fordon.",
    "areas_to_change": "Behöver svenska på yrkesnivå och truckkort.",
    "participants": "Den enskilde och koordinatorn.",
    "participation_recorded": True,
    "person_views": "Vill helst arbeta dagtid nära hemmet.",
    "latest_follow_up_on": "2026-12-10",
    "follow_up_method": "meeting",
    "subgoals": [{"description": "Ta truckkort A och B", "measure": "Godkänt prov",
                  "target": "Truckkort", "target_date": "2027-03-31"}],
    "activities": [{"description": "Truckutbildning", "how": "Fyra veckors kurs hos anordnaren",
                    "responsible": "Koordinatorn", "partners": ["arbetsformedlingen"], "subgoal_index": 0,
                    "starts_on": "2027-01-11", "ends_on": "2027-02-05"}],
})]

FOLLOW_UP_CREATE = [request_example("uppfoljning", "En månadsuppföljning där planen följs", {
    "plan": 771,
    "followed_up_on": "2026-12-08",
    "method": "meeting",
    "participants": "Den enskilde och koordinatorn.",
    "follows_plan": True,
    "notes": "Anmäld till truckutbildningen i januari.",
    "next_follow_up_on": "2027-01-12",
    "progress": [{"subgoal": 1290, "status": "in_progress", "comment": "Plats bokad."}],
})]
