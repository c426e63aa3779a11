"""Rules of the surveillance app, one module per topic (cards, timeliness, card import/export, catalogue, privacy,
schedules, fever clinics, events). Pages, the API, importers and the CLI call these; nothing else decides a rule."""
