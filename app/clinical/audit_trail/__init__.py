"""The audit trail as the Admin tab reviews it: filtered, paged, named, exported."""
