package io.lambda.query.graphql;

import graphql.execution.AbortExecutionException;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.language.OperationDefinition;
import graphql.ExecutionResult;

/**
 * Bounds on a GraphQL document beyond depth and complexity: its length, checked before it is parsed
 * (or cached), and how many operations it defines, checked before the chosen one runs.
 */
final class DocumentLimits extends SimplePerformantInstrumentation {

    private final int maxChars;
    private final int maxOperations;

    DocumentLimits(int maxChars, int maxOperations) {
        this.maxChars = maxChars;
        this.maxOperations = maxOperations;
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
        int operations = parameters.getExecutionContext().getDocument()
                .getDefinitionsOfType(OperationDefinition.class).size();
        if (operations > maxOperations) {
            throw new AbortExecutionException("The document defines " + operations + " operations; at most "
                    + maxOperations + " are accepted.");
        }
        return super.beginExecuteOperation(parameters, state);
    }
}
