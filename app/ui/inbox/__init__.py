"""The Inbox tab: the notes awaiting the signed-in user's cosignature."""
