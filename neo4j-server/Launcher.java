// Runs Neo4j Community 5.26 in-process, reachable over Bolt on loopback, until killed.
//
//   java -cp '.neo4j/lib/*' neo4j-server/Launcher.java <home-dir> <port>
//
// The jars come from neo4j-server/pom.xml (scripts/neo4j.sh fetch); scripts/neo4j.sh up adds the
// JVM flags. Test-only set-up: no auth, no TLS, loopback only, small page cache.
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

public class Launcher {
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: Launcher <home-dir> <port>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);

        DatabaseManagementService managementService = new DatabaseManagementServiceBuilder(home)
                // Without a user log provider the embedded server says nothing; send it to stdout (server.log).
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(256))
                // dbms.usage_report.enabled: never phone home from tests.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Throw-away data: don't reserve disk for transaction logs up front.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .build();

        // SIGTERM/SIGINT run shutdown hooks: close the store cleanly, then let the JVM exit.
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING");
            managementService.shutdown();
            System.out.println("STOPPED");
        }, "neo4j-shutdown"));

        // build() returns once the databases are started and Bolt is listening.
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();
        forever.await();
    }
}
