"""The kinds of partner note: the sections of a relationship's memory and of a handover."""

NOTE_HINTS = {
    "trigger": "words or actions that set this partner off (quote the exact words)",
    "escalation": "a past escalation and its reason",
    "communication": "platform, cadence, who to contact",
    "expectation": "roles and mutual expectations",
    "agreement": "something both sides agreed",
    "decision": "a decision taken, and by whom",
    "lesson": "what to do differently next time",
    "note": "anything else the next owner should know",
}
NOTE_KINDS = tuple(NOTE_HINTS)
