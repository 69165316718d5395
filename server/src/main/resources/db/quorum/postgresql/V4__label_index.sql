-- The compact label index (issue 16): one row per label and per Patient with what $agreement,
-- $bias-report and $class-balance read, written in the transaction of the FHIR write
-- (quality.index.LabelIndex, LabelIndexEntity, LabelPatientEntity). Filled at the first start
-- (the server rebuilds an index it finds missing) and by POST /fhir/$rebuild-label-index.
CREATE TABLE qrm_label_index (
    label_id character varying(100) NOT NULL PRIMARY KEY,
    res_pid bigint NOT NULL,
    res_version bigint NOT NULL,
    seen integer NOT NULL,
    project character varying(200),
    status character varying(32),
    code_system character varying(500),
    code_version character varying(100),
    code character varying(200),
    code_display character varying(500),
    subject character varying(200),
    sources character varying(4000),
    performer character varying(200),
    device character varying(200),
    text_span character varying(100),
    image_region character varying(200)
);
CREATE INDEX idx_qrm_label_project ON qrm_label_index (project, res_pid);

CREATE TABLE qrm_label_patient (
    patient_id character varying(100) NOT NULL PRIMARY KEY,
    res_version bigint NOT NULL,
    seen integer NOT NULL,
    deleted integer NOT NULL,
    gender character varying(32),
    birth_year integer NOT NULL,
    birth_month integer NOT NULL,
    birth_day integer NOT NULL,
    races character varying(200),
    ethnicity character varying(32)
);
