-- Offers: near-duplicate offer messages grouped into one ad (intel/offers). Derived data,
-- rebuilt whole by `jianghu offers build`; an offer's id is its earliest message's row id,
-- so it stays the same across rebuilds while its first sighting does.
CREATE TABLE offers (
    id INTEGER PRIMARY KEY,
    categories TEXT NOT NULL,
    intent TEXT NOT NULL,
    item TEXT NOT NULL,
    regions TEXT NOT NULL,
    summary TEXT NOT NULL,
    price_usd REAL,
    price_unit TEXT,
    quantity TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    sightings INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    authors INTEGER NOT NULL,
    details TEXT NOT NULL,
    built_at TEXT NOT NULL
);
CREATE INDEX offers_last_seen ON offers (last_seen);

CREATE TABLE offer_sightings (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id),
    offer_id INTEGER NOT NULL REFERENCES offers (id)
);
CREATE INDEX offer_sightings_offer ON offer_sightings (offer_id);
