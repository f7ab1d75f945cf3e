package org.deqsweep.sweep.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.spark.connect.proto.DataType;
import org.apache.spark.connect.proto.ExecutePlanRequest;
import org.apache.spark.connect.proto.ExecutePlanResponse;
import org.apache.spark.connect.proto.Expression;
import org.apache.spark.connect.proto.Limit;
import org.apache.spark.connect.proto.Plan;
import org.apache.spark.connect.proto.Project;
import org.apache.spark.connect.proto.Relation;
import org.apache.spark.connect.proto.ReleaseSessionRequest;
import org.apache.spark.connect.proto.SQL;
import org.apache.spark.connect.proto.SparkConnectServiceGrpc;
import org.apache.spark.connect.proto.UserContext;
import org.deqsweep.sweep.store.UsageException;
import org.sparkproject.connect.grpc.ManagedChannel;
import org.sparkproject.connect.grpc.Metadata;
import org.sparkproject.connect.grpc.Status;
import org.sparkproject.connect.grpc.StatusRuntimeException;
import org.sparkproject.connect.grpc.netty.NettyChannelBuilder;
import org.sparkproject.connect.grpc.stub.MetadataUtils;

/**
 * The few calls of the Spark Connect protocol that {@code query} makes of a running {@code serve} (DESIGN 6.1):
 * a SQL statement's rows as Arrow batches, and a session's release. It speaks the protocol's gRPC service
 * with the generated classes the Connect jar carries, and decodes the batches with Arrow, so a command
 * pays neither the Connect client's session set-up (its encoders and reflection: 2.1 s of a 4.9 s command,
 * measured) nor Spark's logging, and answers in the time a JVM, a channel and two calls take.
 *
 * <p>Values come out as the classic session's rows give them ({@link Answer.Rows}): Long, Double, String,
 * BigDecimal, java.sql.Timestamp in this JVM's zone, LocalDate for a date, and List / Map / struct Map
 * for nested columns, so the printers print the same text for either kind of session.
 */
final class ConnectClient implements AutoCloseable {
    /** Largest message the client accepts; Spark's batches are at most 4 MB, as its own client allows. */
    private static final int MAX_MESSAGE = 128 << 20;
    /** How long the first call, USE, may take before the server counts as stuck. */
    static final int USE_DEADLINE_S = 60;
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("Authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String url;
    private final EventLoopGroup loop;
    /** The Arrow buffers of the batch being read; each reader frees its own, close() the allocator. */
    private final BufferAllocator allocator = new RootAllocator();
    private final ManagedChannel channel;
    private final SparkConnectServiceGrpc.SparkConnectServiceBlockingStub stub;
    /** The numeric flags of the first batch's Arrow schema, for a response stream without a schema. */
    private boolean[] arrowNumeric = new boolean[0];
    private final UserContext user;
    private String session;
    private boolean own;

    /**
     * A client on {@code url} (sc://HOST:PORT, with Spark Connect's optional parameters {@code /;token=...;use_ssl=...}),
     * in the session {@code session} when it is not null (the server's shared query session), else in a new
     * session of its own, which {@link #close} releases. A token (the URL's, else the serve command's
     * environment variable's) goes as a bearer header; with a token, a host that is not a loopback name or
     * address gets TLS, as with Spark's own client, and so does {@code use_ssl=true}.
     */
    ConnectClient(String url, String session, String token) {
        this.url = RemoteQuery.redacted(url); // for messages: never the token itself
        String rest = url.substring("sc://".length());
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        Map<String, String> params = new LinkedHashMap<>();
        if (slash >= 0) {
            for (String kv : rest.substring(slash + 1).split(";")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    params.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
                }
            }
        }
        URI u = URI.create("http://" + authority);
        String host = u.getHost() == null ? authority : u.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // an IPv6 literal
        }
        int port = u.getPort() < 0 ? ServeCommand.DEFAULT_PORT : u.getPort();
        token = params.getOrDefault("token", token);
        // an event loop of the client's own, which close() ends: the JVM's exit waits up to 300 ms for a thread
        // still in a native call (gRPC's shared loop sits in epoll_wait for a second after its last channel)
        loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("deq-sweep-connect", true), NioIoHandler.newFactory());
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port).maxInboundMessageSize(MAX_MESSAGE)
                .eventLoopGroup(loop).channelType(NioSocketChannel.class);
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
        boolean withToken = token != null && !token.isEmpty();
        if ((withToken && !loopback) || "true".equalsIgnoreCase(params.get("use_ssl"))) {
            b.useTransportSecurity();
        } else {
            b.usePlaintext();
        }
        if (withToken) {
            Metadata h = new Metadata();
            h.put(AUTHORIZATION, "Bearer " + token);
            b.intercept(MetadataUtils.newAttachHeadersInterceptor(h));
        }
        channel = b.build();
        stub = SparkConnectServiceGrpc.newBlockingStub(channel);
        user = UserContext.newBuilder().setUserId(System.getProperty("user.name", "deq-sweep")).build();
        this.session = session != null ? session : UUID.randomUUID().toString();
        this.own = session == null;
    }

    /**
     * Runs {@code USE database}. In the server's shared session a session the server has closed (after an
     * hour idle) is replaced by one of this client's own.
     */
    void use(String database) {
        String sql = "USE " + org.deqsweep.sweep.store.Sql.ident(database);
        try {
            drain(sql);
        } catch (UsageException e) {
            if (own || !e.getMessage().contains("INVALID_HANDLE")) {
                throw e;
            }
            session = UUID.randomUUID().toString();
            own = true;
            drain(sql);
        }
    }

    private void drain(String sql) {
        // USE answers in milliseconds: a server that takes a minute is stuck, and the command says so
        Iterator<Object[]> it = rows(stub.withDeadlineAfter(USE_DEADLINE_S, TimeUnit.SECONDS), sqlRelation(sql)).values();
        while (it.hasNext()) {
            it.next();
        }
    }

    /** The statement's answer; each printer's call runs it once on the server. */
    Answer sql(String statement) {
        Relation r = sqlRelation(statement);
        return new Answer() {
            @Override
            public Rows rows(int limit) {
                return ConnectClient.this.rows(limit < 0 ? r
                        : Relation.newBuilder().setLimit(Limit.newBuilder().setInput(r).setLimit(limit)).build());
            }

            @Override
            public Iterator<String> jsonLines() {
                // to_json(struct(*), map('ignoreNullFields', 'false')) on the server, as the classic session prints it
                Expression json = call("to_json", call("struct", Expression.newBuilder()
                        .setUnresolvedStar(Expression.UnresolvedStar.getDefaultInstance()).build()),
                        call("map", literal("ignoreNullFields"), literal("false")));
                return Answer.mapped(ConnectClient.this.rows(Relation.newBuilder()
                        .setProject(Project.newBuilder().setInput(r).addExpressions(json)).build()).values(), v -> (String) v[0]);
            }
        };
    }

    private static Relation sqlRelation(String sql) {
        return Relation.newBuilder().setSql(SQL.newBuilder().setQuery(sql)).build();
    }

    private static Expression call(String name, Expression... args) {
        return Expression.newBuilder().setUnresolvedFunction(Expression.UnresolvedFunction.newBuilder()
                .setFunctionName(name).addAllArguments(List.of(args))).build();
    }

    private static Expression literal(String s) {
        return Expression.newBuilder().setLiteral(Expression.Literal.newBuilder().setString(s)).build();
    }

    /** Executes the relation; the columns come with the first response, the rows batch by batch as they are read. */
    private Answer.Rows rows(Relation r) {
        return rows(stub, r);
    }

    private Answer.Rows rows(SparkConnectServiceGrpc.SparkConnectServiceBlockingStub stub, Relation r) {
        ExecutePlanRequest req = ExecutePlanRequest.newBuilder().setSessionId(session).setUserContext(user)
                .setClientType("deq-sweep query").setPlan(Plan.newBuilder().setRoot(r)).build();
        Iterator<ExecutePlanResponse> responses;
        ExecutePlanResponse first;
        try {
            responses = stub.executePlan(req);
            first = responses.hasNext() ? responses.next() : null;
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
        Batches batches = new Batches(first, responses);
        return new Answer.Rows(batches.names, batches.numeric, batches);
    }

    private UsageException failure(StatusRuntimeException e) {
        Status s = e.getStatus();
        if (s.getCode() == Status.Code.UNAVAILABLE) {
            return new UsageException("the Spark Connect server at " + url + " does not answer (" + s.getDescription()
                    + "); is serve still running?");
        }
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return new UsageException("the Spark Connect server at " + url + " accepted the connection but did not answer within "
                    + USE_DEADLINE_S + " s; is serve stuck?");
        }
        if (s.getCode() == Status.Code.UNAUTHENTICATED || s.getCode() == Status.Code.PERMISSION_DENIED) {
            return new UsageException("the Spark Connect server at " + url + " refused the call: " + s.getCode()
                    + " (set " + ServeCommand.TOKEN_ENV + " to the server's token)");
        }
        String m = UsageException.firstLine(s.getDescription());
        return new UsageException(m.isEmpty() ? "the server failed the statement: " + s.getCode() : m);
    }

    /** The rows of an execution's Arrow batches, decoded one batch at a time as they are read. */
    private final class Batches implements Iterator<Object[]> {
        final List<String> names = new ArrayList<>();
        boolean[] numeric = new boolean[0];
        private final Iterator<ExecutePlanResponse> responses;
        private ExecutePlanResponse pending;
        private final List<Object[]> batch = new ArrayList<>();
        private int next;

        Batches(ExecutePlanResponse first, Iterator<ExecutePlanResponse> responses) {
            this.responses = responses;
            this.pending = first;
            if (first == null || !first.hasSchema() || !first.getSchema().hasStruct()) {
                // no schema first (a server older than Spark 4 may send none): the first batch's Arrow schema
                hasNext();
                numeric = arrowNumeric;
                return;
            }
            List<DataType.StructField> fields = first.getSchema().getStruct().getFieldsList();
            numeric = new boolean[fields.size()];
            for (int c = 0; c < fields.size(); c++) {
                names.add(fields.get(c).getName());
                DataType t = fields.get(c).getDataType();
                numeric[c] = t.hasByte() || t.hasShort() || t.hasInteger() || t.hasLong() || t.hasFloat() || t.hasDouble()
                        || t.hasDecimal();
            }
        }

        @Override
        public boolean hasNext() {
            while (next >= batch.size()) {
                ExecutePlanResponse r;
                try {
                    if (pending != null) {
                        r = pending;
                        pending = null;
                    } else if (responses.hasNext()) {
                        r = responses.next();
                    } else {
                        return false;
                    }
                } catch (StatusRuntimeException e) {
                    throw failure(e);
                }
                if (r.hasArrowBatch()) {
                    batch.clear();
                    next = 0;
                    decode(r.getArrowBatch().getData().toByteArray(), batch, names);
                }
            }
            return true;
        }

        @Override
        public Object[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return batch.get(next++);
        }
    }

    /** Appends the rows of one Arrow IPC stream; fills {@code names} from its schema when the response had none. */
    private void decode(byte[] ipc, List<Object[]> rows, List<String> names) {
        try (ArrowStreamReader in = new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator)) {
            VectorSchemaRoot root = in.getVectorSchemaRoot();
            if (names.isEmpty()) {
                List<org.apache.arrow.vector.types.pojo.Field> fields = root.getSchema().getFields();
                arrowNumeric = new boolean[fields.size()];
                for (int c = 0; c < fields.size(); c++) {
                    names.add(fields.get(c).getName());
                    org.apache.arrow.vector.types.pojo.ArrowType t = fields.get(c).getType();
                    arrowNumeric[c] = t instanceof org.apache.arrow.vector.types.pojo.ArrowType.Int
                            || t instanceof org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint
                            || t instanceof org.apache.arrow.vector.types.pojo.ArrowType.Decimal;
                }
            }
            while (in.loadNextBatch()) {
                List<FieldVector> cols = root.getFieldVectors();
                for (int i = 0; i < root.getRowCount(); i++) {
                    Object[] v = new Object[cols.size()];
                    for (int c = 0; c < v.length; c++) {
                        v[c] = value(cols.get(c), i);
                    }
                    rows.add(v);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("a Spark Connect result batch could not be read: " + e.getMessage(), e);
        }
    }

    /** One value as a classic session's row gives it (the types of {@link Answer.Rows}). */
    static Object value(ValueVector v, int i) {
        if (v.isNull(i)) {
            return null;
        }
        if (v instanceof BigIntVector x) {
            return x.get(i);
        }
        if (v instanceof Float8Vector x) {
            return x.get(i);
        }
        if (v instanceof VarCharVector x) {
            return new String(x.get(i), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (v instanceof IntVector x) {
            return x.get(i);
        }
        if (v instanceof BitVector x) {
            return x.get(i) != 0;
        }
        if (v instanceof Float4Vector x) {
            return x.get(i);
        }
        if (v instanceof SmallIntVector x) {
            return x.get(i);
        }
        if (v instanceof TinyIntVector x) {
            return x.get(i);
        }
        if (v instanceof TimeStampMicroTZVector x) {
            // as a classic row converts it: in this JVM's zone, rebased to the hybrid Julian calendar before 1582
            return org.apache.spark.sql.catalyst.util.DateTimeUtils.toJavaTimestamp(x.get(i));
        }
        if (v instanceof DateDayVector x) {
            return LocalDate.ofEpochDay(x.get(i));
        }
        if (v instanceof MapVector x) {
            StructVector entries = (StructVector) x.getDataVector();
            ValueVector keys = entries.getChildByOrdinal(0);
            ValueVector values = entries.getChildByOrdinal(1);
            Map<Object, Object> m = new LinkedHashMap<>();
            for (int j = x.getElementStartIndex(i); j < x.getElementEndIndex(i); j++) {
                m.put(value(keys, j), value(values, j));
            }
            return Answer.byKey(m);
        }
        if (v instanceof ListVector x) {
            List<Object> l = new ArrayList<>();
            for (int j = x.getElementStartIndex(i); j < x.getElementEndIndex(i); j++) {
                l.add(value(x.getDataVector(), j));
            }
            return l;
        }
        if (v instanceof StructVector x && x.getChildFieldNames().size() == 2
                && x.getChild("value") instanceof VarBinaryVector value && x.getChild("metadata") instanceof VarBinaryVector meta) {
            // Spark sends a variant as a struct of its two binaries; a classic row holds a VariantVal, printed as JSON
            // (a struct of two binaries named so is taken for one too)
            return new org.apache.spark.unsafe.types.VariantVal(value.get(i), meta.get(i));
        }
        if (v instanceof StructVector x) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String f : x.getChildFieldNames()) {
                m.put(f, value(x.getChild(f), i));
            }
            return m;
        }
        // BigDecimal, Duration, Period and LocalDateTime as a row holds them; binary as Answer.plain shows it
        Object o = v.getObject(i);
        if (o instanceof org.apache.arrow.vector.util.Text t) {
            return t.toString();
        }
        return o instanceof java.time.Period p ? p.normalized() : Answer.plain(o); // a row's year-month interval is P1Y2M, Arrow's P14M
    }

    /** Releases the session when it is this client's own (the server's shared one stays), and closes the channel. */
    @Override
    public void close() {
        try {
            if (own) {
                stub.withDeadlineAfter(5, TimeUnit.SECONDS).releaseSession(ReleaseSessionRequest.newBuilder().setSessionId(session)
                        .setUserContext(user).setClientType("deq-sweep query").build());
            }
        } catch (StatusRuntimeException e) {
            // the server cannot finish a release without spark-mllib (DESIGN 6.1); the session is gone all the same
        } finally {
            channel.shutdownNow();
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(2000);
            allocator.close();
        }
    }
}
