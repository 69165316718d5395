-- The durable ImagingStudy mirror queue (issue 16): how many instance additions a study's FHIR
-- ImagingStudy has not caught up with (dicom.fhir.ImagingStudyMirrorQueue). Null, as for every
-- study stored before this version, means none.
ALTER TABLE qrm_dicom_study ADD COLUMN mirror_stale integer;
CREATE INDEX idx_qrm_dicom_study_mirror ON qrm_dicom_study (mirror_stale);
