package org.quorum.bridge.cli;

import java.time.Clock;
import org.quorum.bridge.config.BridgeSettings;
import org.quorum.bridge.config.StoreSettings;
import org.quorum.bridge.store.BridgeDatabase;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.store.Encryptor;
import org.quorum.bridge.store.Inbox;
import org.quorum.bridge.store.Quarantine;
import org.quorum.bridge.store.Watermarks;

/** The bridge's database opened by a command while the bridge is not running. */
final class LocalStore implements AutoCloseable {

    final BridgeDatabase database;
    final DeadLetterStore deadLetters;
    final Watermarks watermarks;
    final Inbox inbox;
    final Quarantine quarantine;

    LocalStore(StoreSettings settings) {
        Encryptor encryptor = Encryptor.fromKeyFile(settings.encryptionKeyFile(), false);
        this.database = BridgeDatabase.open(settings);
        Clock clock = Clock.systemUTC();
        this.deadLetters = new DeadLetterStore(database, encryptor, clock);
        this.watermarks = new Watermarks(database, clock);
        this.inbox = new Inbox(database, encryptor, clock);
        this.quarantine = new Quarantine(database, encryptor, clock);
    }

    static StoreSettings settings(BridgeCommand parent) {
        return StoreSettings.from(BridgeSettings.source(System.getenv(), parent.configFile()));
    }

    @Override
    public void close() {
        database.close();
    }
}
