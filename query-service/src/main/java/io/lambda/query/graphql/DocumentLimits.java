package io.lambda.query.graphql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.ExecutionResult;
import graphql.analysis.QueryComplexityCalculator;
import graphql.analysis.QueryTraverser;
import graphql.analysis.QueryVisitorFieldEnvironment;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.language.Directive;
import graphql.language.Document;
import graphql.language.Node;
import graphql.language.NodeTraverser;
import graphql.language.NodeVisitorStub;
import graphql.language.OperationDefinition;
import graphql.util.TraversalControl;
import graphql.util.TraverserContext;
import java.util.Objects;
import java.util.Optional;

/**
 * The bounds that keep one GraphQL document from costing more than many REST requests: its length,
 * checked before it is parsed (or cached); then, before the chosen operation runs, how many operations
 * the document defines, the operation's depth and its complexity (one per field plus its children's,
 * as graphql-java's {@code MaxQueryComplexityInstrumentation} counts).
 *
 * <p>Why one class instead of graphql-java's depth and complexity instrumentations: dashboards send
 * the same few documents over and over, and walking the document twice per request was a seventh of
 * GraphQL's cost over REST (docs/performance.md). A document's verdict depends only on the document
 * and the operation, unless {@code @skip} or {@code @include} take a variable; so the verdict is kept
 * per parsed document (the same instance for the same text, from the preparsed-document cache) and
 * operation name, except for documents with such directives, which are measured every time.
 */
final class DocumentLimits extends SimplePerformantInstrumentation {

    private final int maxChars;
    private final int maxOperations;
    private final int maxDepth;
    private final int maxComplexity;
    /** Per parsed document, by identity and dropped with it. */
    private final Cache<Document, Verdicts> documents = Caffeine.newBuilder().weakKeys().maximumSize(1_000).build();

    /**
     * A document's refusal (or empty when within the limits) per operation name; {@code null} when
     * {@code @skip} or {@code @include} make them depend on the variables.
     */
    private record Verdicts(Cache<String, Optional<String>> byOperation) {
    }

    DocumentLimits(int maxChars, int maxOperations, int maxDepth, int maxComplexity) {
        this.maxChars = maxChars;
        this.maxOperations = maxOperations;
        this.maxDepth = maxDepth;
        this.maxComplexity = maxComplexity;
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecution(InstrumentationExecutionParameters parameters,
            InstrumentationState state) {
        String query = parameters.getQuery();
        if (query != null && query.length() > maxChars) {
            throw new AbortExecutionException("The document is " + query.length() + " characters long; at most "
                    + maxChars + " are accepted.");
        }
        return super.beginExecution(parameters, state);
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(
            InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
        ExecutionContext context = parameters.getExecutionContext();
        Document document = context.getDocument();
        String operation = Objects.requireNonNullElse(context.getExecutionInput().getOperationName(), "");
        Verdicts verdicts = documents.get(document, d -> new Verdicts(
                hasConditionalDirectives(d) ? null : Caffeine.newBuilder().maximumSize(100).build()));
        Optional<String> refusal = verdicts.byOperation() == null
                ? measure(context)
                : verdicts.byOperation().get(operation, o -> measure(context));
        refusal.ifPresent(message -> {
            throw new AbortExecutionException(message);
        });
        return super.beginExecuteOperation(parameters, state);
    }

    private Optional<String> measure(ExecutionContext context) {
        int operations = context.getDocument().getDefinitionsOfType(OperationDefinition.class).size();
        if (operations > maxOperations) {
            return Optional.of("The document defines " + operations + " operations; at most " + maxOperations
                    + " are accepted.");
        }
        QueryTraverser traverser = QueryTraverser.newQueryTraverser()
                .schema(context.getGraphQLSchema())
                .document(context.getDocument())
                .operationName(context.getExecutionInput().getOperationName())
                .coercedVariables(context.getCoercedVariables())
                .build();
        int depth = traverser.reducePreOrder((field, deepest) -> Math.max(depthOf(field), deepest), 0);
        if (depth > maxDepth) {
            return Optional.of("maximum query depth exceeded " + depth + " > " + maxDepth);
        }
        int complexity = QueryComplexityCalculator.newCalculator()
                .fieldComplexityCalculator((field, childComplexity) -> 1 + childComplexity)
                .schema(context.getGraphQLSchema())
                .document(context.getDocument())
                .operationName(context.getExecutionInput().getOperationName())
                .variables(context.getCoercedVariables())
                .build()
                .calculate();
        if (complexity > maxComplexity) {
            return Optional.of("maximum query complexity exceeded " + complexity + " > " + maxComplexity);
        }
        return Optional.empty();
    }

    /** A top-level field has depth 1, its selections 2, and so on. */
    private static int depthOf(QueryVisitorFieldEnvironment field) {
        int depth = 1;
        for (QueryVisitorFieldEnvironment parent = field.getParentEnvironment(); parent != null;
                parent = parent.getParentEnvironment()) {
            depth++;
        }
        return depth;
    }

    /** Whether {@code @skip} or {@code @include} appear anywhere: then what runs depends on the variables. */
    private static boolean hasConditionalDirectives(Document document) {
        boolean[] found = {false};
        new NodeTraverser().preOrder(new NodeVisitorStub() {
            @Override
            public TraversalControl visitDirective(Directive directive, TraverserContext<Node> context) {
                if (directive.getName().equals("skip") || directive.getName().equals("include")) {
                    found[0] = true;
                    return TraversalControl.QUIT;
                }
                return TraversalControl.CONTINUE;
            }
        }, document);
        return found[0];
    }
}
