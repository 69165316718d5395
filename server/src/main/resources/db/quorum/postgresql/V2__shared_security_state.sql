-- State every node shares (issue 18).
--
-- qrm_security_document: the users and clients registries, the signing keys (encrypted, see
-- security.DatabaseSecurityStore), the issuer record and local secrets: one row per document,
-- the version counts its changes so that nodes notice them with one indexed read.
CREATE TABLE qrm_security_document (
    name character varying(100) NOT NULL PRIMARY KEY,
    version bigint NOT NULL,
    content character varying(1000000) NOT NULL,
    updated_at timestamp(6) with time zone NOT NULL
);

-- qrm_client_assertion: client assertions already used (RFC 7523 §3, jti replay check), keyed by
-- SHA-256 of client id and jti, kept until the assertion expires.
CREATE TABLE qrm_client_assertion (
    assertion_key character varying(64) NOT NULL PRIMARY KEY,
    expires_at timestamp(6) with time zone NOT NULL
);
CREATE INDEX idx_qrm_client_assertion_expiry ON qrm_client_assertion (expires_at);
