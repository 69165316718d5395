package org.quorum.security.assignment;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The case-assignment table ({@link CaseAssignmentEntity}) in HAPI's persistence unit. Writes join
 * the transaction that is under way (the Task or label write that grants the rows); reads are one
 * indexed query per request.
 */
public final class CaseAssignmentIndex {

    /** The entity classes, for the persistence unit. */
    public static final List<Class<?>> ENTITIES = List.of(CaseAssignmentEntity.class);

    /** A marker row: the table was built from the store (see {@link #isBuilt()}). */
    static final String MARKER = "#quorum-case-index";

    private final EntityManager entities;
    private final TransactionTemplate transactions;

    public CaseAssignmentIndex(EntityManagerFactory factory, PlatformTransactionManager manager) {
        this.entities = SharedEntityManagerCreator.createSharedEntityManager(factory);
        this.transactions = new TransactionTemplate(manager);
    }

    /** Everything {@code owner} may reach ({@code Type/id}), in one query. */
    public Set<String> resourcesOf(String owner) {
        List<String> rows =
                transactions.execute(
                        tx ->
                                entities.createQuery(
                                                "select a.resource from CaseAssignmentEntity a"
                                                        + " where a.owner = :owner",
                                                String.class)
                                        .setParameter("owner", owner)
                                        .getResultList());
        return new HashSet<>(rows);
    }

    /** The sources that grant {@code owner} access to {@code resource}. */
    public Set<String> sourcesGranting(String owner, String resource) {
        List<String> rows =
                transactions.execute(
                        tx ->
                                entities.createQuery(
                                                "select a.source from CaseAssignmentEntity a"
                                                        + " where a.owner = :owner and a.resource"
                                                        + " = :resource",
                                                String.class)
                                        .setParameter("owner", owner)
                                        .setParameter("resource", resource)
                                        .getResultList());
        return new HashSet<>(rows);
    }

    /**
     * Replaces the rows granted by {@code source} with {@code resources} for each owner; joins the
     * transaction under way (the grant commits or rolls back with the write that made it).
     */
    public void replace(String source, Collection<String> owners, Collection<String> resources) {
        transactions.executeWithoutResult(
                tx -> {
                    entities.createQuery(
                                    "delete from CaseAssignmentEntity a where a.source = :source")
                            .setParameter("source", source)
                            .executeUpdate();
                    for (String owner : owners) {
                        for (String resource : resources) {
                            entities.persist(new CaseAssignmentEntity(owner, resource, source));
                        }
                    }
                });
    }

    /** Whether the table was built from the store once (after that, writes keep it current). */
    public boolean isBuilt() {
        Long count =
                transactions.execute(
                        tx ->
                                entities.createQuery(
                                                "select count(a) from CaseAssignmentEntity a"
                                                        + " where a.owner = :marker",
                                                Long.class)
                                        .setParameter("marker", MARKER)
                                        .getSingleResult());
        return count != null && count > 0;
    }

    /** Records that the table was built from the store. */
    public void markBuilt() {
        replace(MARKER, List.of(MARKER), List.of(MARKER));
    }
}
