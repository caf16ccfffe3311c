package org.postlet.server.pipeline;

import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What the test mailets saw, in order: "mailetId:mailName:recipients:state". */
@Singleton
public final class Recorder {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
}
