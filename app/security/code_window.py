"""How far a phone's clock may be off for its authenticator code to be accepted: apart from
app.security.mfa (which checks codes against the store) so that the screen asking for a
code can say it without the store's modules."""

STEP_SECONDS = 30
TOLERANCE_STEPS = 1  # one step either side: RFC 6238 section 5.2's recommended skew
TOLERANCE_TEXT = (f"codes are accepted {STEP_SECONDS * TOLERANCE_STEPS} seconds either side "
                  "of this computer's clock")
