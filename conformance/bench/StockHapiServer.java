// A minimal stock HAPI FHIR JPA server (R4), the peer of fhir-bench.sh: the HAPI version Quorum
// is built on (its jars are taken from server/target/lib), the same database kind and JDBC URL
// options as Quorum's default (embedded H2 file, WRITE_DELAY=0), the same pool (Commons DBCP2, 20
// connections) and the same Hibernate batch settings, on embedded Undertow, with HAPI's default
// JPA storage settings and none of Quorum's interceptors. The one setting changed from HAPI's
// defaults is the reuse of cached search results, off as in Quorum, so that both servers run
// every search instead of one answering repeats from a cache.
//
// Compiled by fhir-bench.sh into its temporary directory (Spring proxies the configuration class,
// so it is not run as a single-file source) and started as
//   java -cp <classes>:server/target/lib/* StockHapiServer <port> <data-dir> [<postgresql-jdbc-url> <user> <password>]
// With a PostgreSQL URL (fhir-bench.sh's PostgreSQL mode) it stores there instead, with HAPI's
// PostgreSQL dialect; Hibernate creates the schema (hbm2ddl=update), as on H2.
// It prints "ready" once /fhir answers.

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import ca.uhn.fhir.jpa.provider.IJpaSystemProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.persistence.EntityManagerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

public class StockHapiServer {

    static Path dataDir;
    static String postgresUrl;
    static String postgresUser;
    static String postgresPassword;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        dataDir = Path.of(args[1]).toAbsolutePath();
        if (args.length >= 5) {
            postgresUrl = args[2];
            postgresUser = args[3];
            postgresPassword = args[4];
        }
        AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext();
        spring.register(Jpa.class);
        spring.refresh();
        RestfulServer server = restfulServer(spring);
        DeploymentInfo info =
                Servlets.deployment()
                        .setClassLoader(StockHapiServer.class.getClassLoader())
                        .setContextPath("/")
                        .setDeploymentName("stock-hapi");
        info.addServlet(
                Servlets.servlet("fhir", RestfulServer.class, new ImmediateInstanceFactory<>(server))
                        .addMapping("/fhir/*")
                        .setLoadOnStartup(1));
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(info);
        manager.deploy();
        Undertow undertow =
                Undertow.builder()
                        // Undertow's default body limit is 2 MiB; Quorum's default is 1 GiB.
                        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 1025L << 20)
                        .addHttpListener(port, "127.0.0.1")
                        .setHandler(manager.start())
                        .build();
        undertow.start();
        System.out.println("ready");
    }

    static RestfulServer restfulServer(AnnotationConfigApplicationContext spring) {
        IFhirSystemDao<?, ?> systemDao = spring.getBean(IFhirSystemDao.class);
        RestfulServer server = new RestfulServer(systemDao.getContext());
        server.registerProviders(spring.getBean(ResourceProviderFactory.class).createProviders());
        server.registerProvider(spring.getBean(IJpaSystemProvider.class));
        server.setServerConformanceProvider(
                new JpaCapabilityStatementProvider(
                        server,
                        systemDao,
                        spring.getBean(JpaStorageSettings.class),
                        spring.getBean(ISearchParamRegistry.class),
                        spring.getBean(IValidationSupport.class)));
        server.setPagingProvider(spring.getBean(DatabaseBackedPagingProvider.class));
        server.setDefaultResponseEncoding(EncodingEnum.JSON);
        return server;
    }

    @Configuration
    @Import({
        JpaR4Config.class,
        HapiJpaConfig.class,
        JpaBatch2Config.class,
        Batch2JobsConfig.class,
        ThreadPoolFactoryConfig.class,
        SubscriptionChannelConfig.class
    })
    public static class Jpa {

        @Bean(destroyMethod = "close")
        public BasicDataSource dataSource() {
            BasicDataSource dataSource = new BasicDataSource();
            if (postgresUrl != null) {
                dataSource.setDriverClassName("org.postgresql.Driver");
                dataSource.setUrl(postgresUrl);
                dataSource.setUsername(postgresUser);
                dataSource.setPassword(postgresPassword);
            } else {
                dataSource.setDriverClassName("org.h2.Driver");
                dataSource.setUrl(
                        "jdbc:h2:file:"
                                + dataDir.resolve("db").resolve("hapi")
                                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
                dataSource.setUsername("sa");
                dataSource.setPassword("");
            }
            dataSource.setMaxTotal(20);
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
                DataSource dataSource) {
            LocalContainerEntityManagerFactoryBean factory =
                    HapiEntityManagerFactoryUtil.newEntityManagerFactory(
                            beanFactory, fhirContext, storageSettings);
            factory.setPersistenceUnitName("HAPI_PU");
            factory.setDataSource(dataSource);
            Properties properties = new Properties();
            properties.put(
                    "hibernate.dialect",
                    postgresUrl != null
                            ? HapiFhirPostgresDialect.class.getName()
                            : HapiFhirH2Dialect.class.getName());
            properties.put("hibernate.hbm2ddl.auto", "update");
            properties.put("hibernate.search.enabled", "false");
            properties.put("hibernate.format_sql", "false");
            properties.put("hibernate.show_sql", "false");
            properties.put("hibernate.jdbc.batch_size", "50");
            properties.put("hibernate.order_inserts", "true");
            properties.put("hibernate.order_updates", "true");
            factory.setJpaProperties(properties);
            return factory;
        }

        @Bean
        @Primary
        public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
            return new JpaTransactionManager(entityManagerFactory);
        }

        @Bean
        public JpaStorageSettings storageSettings() {
            JpaStorageSettings storage = new JpaStorageSettings();
            storage.setReuseCachedSearchResultsForMillis(null);
            return storage;
        }

        @Bean
        public PartitionSettings partitionSettings() {
            return new PartitionSettings();
        }

        @Bean
        public DatabaseBackedPagingProvider databaseBackedPagingProvider() {
            return new DatabaseBackedPagingProvider();
        }
    }
}
