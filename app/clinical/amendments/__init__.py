"""A patient's requests to amend their record (ONC 170.315(d)(4), HIPAA 164.526)."""
