-- Herald schema, version 8: a subscription belongs to the API key that made it, and its name is unique per owner.
-- Subscriptions made before belong to the empty owner, a hub's callers while it has no keys.
ALTER TABLE herald_subscriptions ADD COLUMN owner text NOT NULL DEFAULT '';
ALTER TABLE herald_subscriptions DROP CONSTRAINT herald_subscriptions_pkey;
ALTER TABLE herald_subscriptions ADD PRIMARY KEY (owner, name);
