-- The cross-modal consistency check after a label write reads the labels of the written labels'
-- patients from the label index (quality.index.LabelIndex#labelsOfSubjects), by project and
-- patient: without this index that read walks the project's rows, and label writes slow down as
-- the store grows.
CREATE INDEX idx_qrm_label_subject ON qrm_label_index (project, subject);
