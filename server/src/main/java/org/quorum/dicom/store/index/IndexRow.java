package org.quorum.dicom.store.index;

/** One QIDO-RS result row: the study, and at series and instance level the series and instance. */
record IndexRow(StudyEntity study, SeriesEntity series, InstanceEntity instance) {}
