-- The durable ImagingStudy mirror queue (issue 16): one row per study whose FHIR ImagingStudy has
-- not caught up with its instances, written in the transaction that indexes an instance and
-- removed by the rebuild (dicom.fhir.ImagingStudyMirrorQueue, dicom.store.index.MirrorQueueEntity).
CREATE TABLE qrm_dicom_mirror_queue (
    study_uid character varying(64) NOT NULL PRIMARY KEY,
    stale integer NOT NULL
);
