"""Knowledge of people's identifiers: Chinese resident ID numbers, region codes, names."""
