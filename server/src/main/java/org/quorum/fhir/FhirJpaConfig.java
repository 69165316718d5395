package org.quorum.fhir;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.quorum.audit.AuditOutbox;
import org.quorum.config.QuorumSettings;
import org.quorum.config.StorageSettings;
import org.quorum.dicom.store.index.DicomIndex;
import org.quorum.security.DatabaseReplayCache;
import org.quorum.security.assignment.CaseAssignmentIndex;
import org.quorum.storage.DatabaseMigrations;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * HAPI FHIR JPA (R4) in a plain Spring context. Spring stays at this edge: HAPI's JPA server is
 * built from Spring configuration classes, Quorum's own services are plain classes wired in {@link
 * org.quorum.server.QuorumServer}.
 */
@Configuration
@Import({
    JpaR4Config.class,
    HapiJpaConfig.class,
    JpaBatch2Config.class,
    Batch2JobsConfig.class,
    ThreadPoolFactoryConfig.class,
    // In-memory message channels that batch jobs (reindex, export) run on.
    SubscriptionChannelConfig.class
})
public class FhirJpaConfig {

    /** Quorum's own tables, in HAPI's persistence unit (same database, pool and transactions). */
    static final java.util.List<Class<?>> QUORUM_ENTITIES =
            java.util.stream.Stream.of(
                            DicomIndex.ENTITIES,
                            CaseAssignmentIndex.ENTITIES,
                            AuditOutbox.ENTITIES,
                            org.quorum.quality.index.LabelIndex.ENTITIES,
                            DatabaseReplayCache.ENTITIES)
                    .flatMap(java.util.List::stream)
                    .toList();

    @Bean(destroyMethod = "close")
    public BasicDataSource dataSource(QuorumSettings settings) {
        StorageSettings storage = settings.storage();
        BasicDataSource dataSource = new BasicDataSource();
        dataSource.setDriverClassName(
                storage.database() == StorageSettings.Database.H2
                        ? "org.h2.Driver"
                        : "org.postgresql.Driver");
        dataSource.setUrl(storage.jdbcUrl());
        dataSource.setUsername(storage.user());
        dataSource.setPassword(storage.password());
        dataSource.setMaxTotal(storage.maxConnections());
        dataSource.setMaxWait(Duration.ofSeconds(30));
        dataSource.setValidationQuery("SELECT 1");
        dataSource.setTestOnBorrow(true);
        return dataSource;
    }

    @Bean
    @Primary
    public LocalContainerEntityManagerFactoryBean entityManagerFactory(
            ConfigurableListableBeanFactory beanFactory,
            FhirContext fhirContext,
            JpaStorageSettings storageSettings,
            DataSource dataSource,
            QuorumSettings settings,
            DatabaseSchema schema) {
        LocalContainerEntityManagerFactoryBean factory =
                HapiEntityManagerFactoryUtil.newEntityManagerFactory(
                        beanFactory, fhirContext, storageSettings);
        factory.setPersistenceUnitName("QUORUM_PU");
        // Quorum's tables (DICOM index, case assignments, audit outbox) live in the same database
        // and unit as HAPI: one schema update, one transaction manager, one connection pool.
        factory.setPersistenceUnitPostProcessors(
                unit -> QUORUM_ENTITIES.forEach(type -> unit.addManagedClassName(type.getName())));
        factory.setDataSource(dataSource);
        factory.setJpaProperties(hibernateProperties(settings.storage()));
        return factory;
    }

    /**
     * The schema, migrated before Hibernate opens the database: on PostgreSQL by HAPI's migration
     * tasks and Quorum's Flyway migrations ({@link DatabaseMigrations}); the embedded H2 database
     * follows the entities ({@code hbm2ddl=update}).
     */
    @Bean
    public DatabaseSchema databaseSchema(DataSource dataSource, QuorumSettings settings) {
        if (settings.storage().database() == StorageSettings.Database.POSTGRESQL) {
            return new DatabaseSchema(Optional.of(DatabaseMigrations.migrate(dataSource)));
        }
        return new DatabaseSchema(Optional.empty());
    }

    /** What the schema step did: the migration outcome on PostgreSQL. */
    public record DatabaseSchema(Optional<DatabaseMigrations.Outcome> migrations) {}

    private static Properties hibernateProperties(StorageSettings storage) {
        Properties properties = new Properties();
        properties.put(
                "hibernate.dialect",
                storage.database() == StorageSettings.Database.H2
                        ? HapiFhirH2Dialect.class.getName()
                        : HapiFhirPostgresDialect.class.getName());
        // PostgreSQL: versioned migrations own the schema and Hibernate only checks that the
        // entities fit it. The embedded H2 database follows the entities, as HAPI's starter does.
        properties.put(
                "hibernate.hbm2ddl.auto",
                storage.database() == StorageSettings.Database.POSTGRESQL ? "validate" : "update");
        properties.put("hibernate.search.enabled", "false");
        properties.put("hibernate.format_sql", "false");
        properties.put("hibernate.show_sql", "false");
        properties.put("hibernate.jdbc.batch_size", "50");
        properties.put("hibernate.order_inserts", "true");
        properties.put("hibernate.order_updates", "true");
        return properties;
    }

    @Bean
    @Primary
    public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
        return new JpaTransactionManager(entityManagerFactory);
    }

    @Bean
    public JpaStorageSettings storageSettings() {
        JpaStorageSettings storage = new JpaStorageSettings();
        // Polling clients (workers, review UIs) must see new labels at once: HAPI would otherwise
        // answer an identical search from a cached result for 60 s.
        storage.setReuseCachedSearchResultsForMillis(null);
        storage.setAllowMultipleDelete(true);
        storage.setAllowContainsSearches(true);
        storage.setAllowExternalReferences(false);
        storage.setEnforceReferentialIntegrityOnWrite(true);
        // The audit trail points at what was accessed; it must not keep a resource from deletion.
        storage.setEnforceReferentialIntegrityOnDeleteDisableForPaths(
                java.util.Set.of("AuditEvent.entity.what", "AuditEvent.agent.who"));
        storage.setDefaultSearchParamsCanBeOverridden(true);
        storage.setIndexMissingFields(JpaStorageSettings.IndexEnabledEnum.DISABLED);
        // HAPI's scheduled ValueSet pre-expansion needs Hibernate Search, which Quorum does not
        // run: every pass failed with an ERROR per ValueSet and did nothing. $expand and
        // validation expand Quorum's small value sets in memory.
        storage.setEnableTaskPreExpandValueSets(false);
        return storage;
    }

    @Bean
    public PartitionSettings partitionSettings() {
        return new PartitionSettings();
    }

    @Bean
    public DatabaseBackedPagingProvider databaseBackedPagingProvider() {
        DatabaseBackedPagingProvider paging = new DatabaseBackedPagingProvider();
        paging.setDefaultPageSize(20);
        paging.setMaximumPageSize(500);
        return paging;
    }
}
