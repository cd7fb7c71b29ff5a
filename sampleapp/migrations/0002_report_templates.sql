-- Report templates (v1.1.0): a report may name the template it was filled in from.
-- Additive only, so a release built for schema 1 still runs against schema 2 (rollback).
CREATE TABLE report_templates (
    code text PRIMARY KEY,
    title text NOT NULL,
    version integer NOT NULL CHECK (version > 0)
);

ALTER TABLE reports ADD COLUMN template_code text REFERENCES report_templates (code);
