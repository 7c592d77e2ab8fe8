"""Content loaded from files: brand packs, FAQ entries and wording, trees, hours and rules."""
