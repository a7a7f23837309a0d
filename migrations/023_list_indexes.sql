-- The delivery log of one integration, newest first: its API pages by id within an integration, and each new
-- delivery prunes that integration's oldest ones beyond the kept number. Without this index both read every
-- integration's deliveries.
CREATE INDEX integration_deliveries_log ON integration_deliveries(integration_id, id);

-- A user's API tokens, one screen at a time on the admin's user screen (and counted): without this index
-- every token of every user was read.
CREATE INDEX api_tokens_user ON api_tokens(user_id);
