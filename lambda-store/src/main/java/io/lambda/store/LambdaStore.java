package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * The shared tables of one deployment, opened on a session: applies the schema, then prepares the
 * readers and writers. Each service takes the parts it needs.
 */
public record LambdaStore(StoreSettings settings, BatchCatalog catalog, MasterDataset masterDataset,
                          ArchiverWatermarks watermarks, BatchCells batchCells, SpeedCells speedCells) {

    public static LambdaStore open(CqlSession session, StoreSettings settings) {
        LambdaSchema.apply(session, settings);
        return new LambdaStore(settings, new BatchCatalog(session, settings), new MasterDataset(session, settings),
                new ArchiverWatermarks(session, settings), new BatchCells(session, settings),
                new SpeedCells(session, settings));
    }
}
