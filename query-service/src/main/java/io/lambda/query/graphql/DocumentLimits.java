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
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.Node;
import graphql.language.NodeTraverser;
import graphql.language.NodeVisitorStub;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.util.TraversalControl;
import graphql.util.TraverserContext;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 *
 * <p>An introspection operation (every top-level selection a {@code __schema} or {@code __type} field)
 * is exempt from the depth and complexity limits: the standard introspection query of GraphiQL and
 * codegen tools is 15 deep. graphql-java's good-faith introspection (on by default) bounds those
 * instead: each of {@code __schema}, {@code __type} and the recursive {@code __Type} fields at most
 * once, at most 500 fields and 20 levels.
 */
final class DocumentLimits extends SimplePerformantInstrumentation {

    private static final Set<String> INTROSPECTION_ROOTS = Set.of("__schema", "__type");

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
        if (isIntrospection(context.getOperationDefinition().getSelectionSet(), context.getFragmentsByName(),
                new HashSet<>())) {
            return Optional.empty();
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

    /**
     * Whether every field selected at the top of the operation, through fragments, is {@code __schema}
     * or {@code __type}. A fragment already being expanded is not expanded again (validation refuses
     * cycles, this only keeps the walk finite).
     */
    private static boolean isIntrospection(SelectionSet selections, Map<String, FragmentDefinition> fragments,
                                           Set<String> expanding) {
        if (selections == null || selections.getSelections().isEmpty()) {
            return false;
        }
        for (Selection<?> selection : selections.getSelections()) {
            if (!isIntrospection(selection, fragments, expanding)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIntrospection(Selection<?> selection, Map<String, FragmentDefinition> fragments,
                                           Set<String> expanding) {
        if (selection instanceof Field field) {
            return INTROSPECTION_ROOTS.contains(field.getName());
        }
        if (selection instanceof InlineFragment inline) {
            return isIntrospection(inline.getSelectionSet(), fragments, expanding);
        }
        if (selection instanceof FragmentSpread spread) {
            FragmentDefinition fragment = fragments.get(spread.getName());
            if (fragment == null || !expanding.add(spread.getName())) {
                return false;
            }
            boolean introspection = isIntrospection(fragment.getSelectionSet(), fragments, expanding);
            expanding.remove(spread.getName());
            return introspection;
        }
        return false;
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
