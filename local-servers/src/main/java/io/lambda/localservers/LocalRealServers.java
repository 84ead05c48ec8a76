package io.lambda.localservers;

/**
 * Real servers from the local launcher in the {@code test} layout. Servers this JVM started are
 * stopped when it exits; servers that were already running (another test run, a developer's
 * {@code ./lambda servers --test}) are reused and left alone.
 */
final class LocalRealServers implements RealServers {

    private final LocalStack stack;

    private LocalRealServers(LocalStack stack) {
        this.stack = stack;
    }

    static LocalRealServers start() {
        ProjectHome home = ProjectHome.locate();
        LocalStack stack = new LocalStack(home, StackLayout.test(home));
        boolean kafkaWasRunning = stack.kafka().isRunning();
        boolean cassandraWasRunning = stack.cassandra().isRunning();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // side by side: the test JVM's exit waits for this, and Maven only waits so long
            java.util.concurrent.CompletableFuture<Void> kafka = java.util.concurrent.CompletableFuture.runAsync(() -> {
                if (!kafkaWasRunning) {
                    stack.kafka().stop();
                }
            });
            if (!cassandraWasRunning) {
                stack.cassandra().stop();
            }
            kafka.join();
        }, "stop-test-servers"));
        stack.startServers(line -> { });
        return new LocalRealServers(stack);
    }

    LocalStack stack() {
        return stack;
    }

    @Override
    public String kafkaBootstrapServers() {
        return stack.layout().kafkaBootstrapServers();
    }

    @Override
    public String cassandraHost() {
        return "127.0.0.1";
    }

    @Override
    public int cassandraPort() {
        return stack.layout().cassandraPort();
    }

    @Override
    public String cassandraDatacenter() {
        return CassandraServer.DATACENTER;
    }
}
