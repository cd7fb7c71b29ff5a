-- Quality-control indicator reports submitted by institutions, one row per indicator and period.
-- Run by medops_sampleapp.migrate inside one transaction, as the database's owner role.
CREATE TABLE reports (
    id bigserial PRIMARY KEY,
    institution_code text NOT NULL,
    period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    indicator text NOT NULL,
    value numeric NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX reports_institution_period_idx ON reports (institution_code, period);
