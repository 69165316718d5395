package org.quorum.deid.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.deid.text.eval.SharedData;

class SharedDataTest {

    @Test
    void finds_shared_data_beside_the_repository_from_deep_inside_it(@TempDir Path root)
            throws Exception {
        Path data = Files.createDirectories(root.resolve("shared/data"));
        Path module = Files.createDirectories(root.resolve("clone/server/deid"));

        assertThat(SharedData.locateFrom(module)).contains(data);
    }

    @Test
    void finds_nothing_where_there_is_no_shared_folder(@TempDir Path root) {
        assertThat(SharedData.locateFrom(root.resolve("nowhere"))).isEmpty();
    }
}
