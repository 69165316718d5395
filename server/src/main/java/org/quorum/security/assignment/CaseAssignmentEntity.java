package org.quorum.security.assignment;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/**
 * One resource a clinician may reach, and the server-owned resource that grants it: a review Task
 * owned by the clinician (the Task, its patient, what it focuses on and the sources behind that),
 * or a label the clinician performed (that label only). Rows are written in the transaction of the
 * Task or label write that grants them, so the table always agrees with the FHIR store.
 */
@Entity
@Table(
        name = "QRM_CASE_ASSIGNMENT",
        indexes = {
            @Index(name = "IDX_QRM_CASE_OWNER", columnList = "OWNER_REF"),
            @Index(name = "IDX_QRM_CASE_SOURCE", columnList = "SOURCE_REF")
        })
public class CaseAssignmentEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    @Column(name = "ID")
    Long id;

    /** The clinician's FHIR identity, {@code PractitionerRole/12} (the token's fhirUser). */
    @Column(name = "OWNER_REF", length = 200, nullable = false)
    String owner;

    /** What the clinician may reach, {@code Type/id}. */
    @Column(name = "RESOURCE_REF", length = 200, nullable = false)
    String resource;

    /** The resource that grants it, {@code Task/7} or {@code Observation/9}. */
    @Column(name = "SOURCE_REF", length = 200, nullable = false)
    String source;

    protected CaseAssignmentEntity() {}

    CaseAssignmentEntity(String owner, String resource, String source) {
        this.owner = owner;
        this.resource = resource;
        this.source = source;
    }
}
