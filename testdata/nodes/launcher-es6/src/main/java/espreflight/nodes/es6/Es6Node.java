package espreflight.nodes.es6;

import java.util.Collection;

import org.elasticsearch.env.Environment;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;

/** Concrete Node for Elasticsearch 6.x, where Node is abstract; used by espreflight.nodes.Launcher. */
public class Es6Node extends Node {
    public Es6Node(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins,
            boolean forbidPrivateIndexSettings) {
        super(environment, classpathPlugins, forbidPrivateIndexSettings);
    }

    @Override
    protected void registerDerivedNodeNameWithLogger(String nodeName) {
        // the distribution hands the name to its log4j config; the test nodes log without it
    }
}
