"""A brand's policy applied to a customer's situation: verdicts, advice and RMA eligibility."""
