package espreflight.nodes;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Starts one real Elasticsearch (6.8 / 7.x) or OpenSearch (1.x / 2.x / 3.x) node inside this JVM,
 * from the jars on the classpath, with "classpath plugins" (the module jars: transport-netty4,
 * reindex, ...). This skips the CLI bootstrap (root check, bootstrap checks, SecurityManager,
 * JarHell), which is what lets the node run as root on loopback in CI.
 *
 * The engine is reached by reflection only, so one launcher jar (compiled for Java 11) serves every
 * version: the product is detected from the classpath (org.opensearch.node.Node or
 * org.elasticsearch.node.Node), and the protected constructor Node(Environment, Collection, boolean)
 * is used (its Collection holds plugin classes up to OpenSearch 2.x, PluginInfo descriptors in 3.x).
 *
 * Usage: java -cp launcher.jar:CLASSPATH espreflight.nodes.Launcher
 *          [-E key=value]... [-P plugin.Class]... [-X plugin.Class]... [--no-scan] [--pid-file F]
 *
 * Plugins: every concrete subclass of Plugin whose simple name ends in "Plugin" and that lives in a
 * jar other than the server jar is loaded (the module jars); -P adds one, -X excludes one.
 */
public final class Launcher {

    private Launcher() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        Set<String> extra = new LinkedHashSet<>();
        Set<String> excluded = new LinkedHashSet<>();
        boolean scan = true;
        boolean asModules = true;
        String pidFile = null;
        String classpath = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-E": {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("-E needs key=value, got " + kv);
                    }
                    settings.put(kv.substring(0, eq), kv.substring(eq + 1));
                    break;
                }
                case "-P":
                    extra.add(args[++i]);
                    break;
                case "-X":
                    excluded.add(args[++i]);
                    break;
                case "--classpath-plugins":
                    asModules = false;
                    break;
                case "--no-scan":
                    scan = false;
                    break;
                case "--classpath":
                    classpath = args[++i];
                    break;
                case "--pid-file":
                    pidFile = args[++i];
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + a);
            }
        }

        List<String> jars = new ArrayList<>();
        for (String e : (classpath != null ? classpath : System.getProperty("java.class.path")).split(File.pathSeparator)) {
            if (e.endsWith(".jar") && new File(e).isFile()) {
                jars.add(e);
            }
        }
        URL logConfig = Launcher.class.getResource("/log4j2.properties");
        if (logConfig != null && System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", logConfig.toString());
        }
        ClassLoader scanLoader = classpath != null ? loader(jars) : Launcher.class.getClassLoader();
        final String pkg = exists(scanLoader, "org.opensearch.node.Node") ? "org.opensearch" : "org.elasticsearch";
        Map<String, String> found = scan ? scanPlugins(scanLoader, pkg, jars) : new LinkedHashMap<>();
        Set<String> moduleJars = new LinkedHashSet<>();
        if (asModules && classpath == null) {
            throw new IllegalArgumentException("modules need --classpath (the engine jars must not be on the JVM classpath)");
        }
        if (asModules) {
            for (Map.Entry<String, String> e : found.entrySet()) {
                if (!excluded.contains(e.getKey())) {
                    moduleJars.add(e.getValue());
                }
            }
        }
        // the painless SPI jar lives inside the lang-painless module in a distribution (its whitelist
        // resources are read through the SPI classes' loader), so it goes with that module
        String painlessJar = null;
        for (String j : moduleJars) {
            if (new File(j).getName().startsWith("lang-painless")) {
                painlessJar = j;
            }
        }
        Map<String, List<String>> companions = new LinkedHashMap<>();
        if (painlessJar != null) {
            for (String j : jars) {
                if (new File(j).getName().contains("painless-spi")) {
                    companions.computeIfAbsent(painlessJar, k -> new ArrayList<>()).add(j);
                }
            }
        }
        ClassLoader cl = scanLoader;
        if (classpath != null) {
            List<String> rest = new ArrayList<>(jars);
            rest.removeAll(moduleJars);
            for (List<String> c : companions.values()) {
                rest.removeAll(c);
            }
            cl = loader(rest);
            // JarHell checks of module bundles compare against java.class.path
            System.setProperty("java.class.path", String.join(File.pathSeparator, rest));
            Thread.currentThread().setContextClassLoader(cl);
        }
        Class<?> nodeC = Class.forName(pkg + ".node.Node", false, cl);
        Class<?> pluginC = Class.forName(pkg + ".plugins.Plugin", false, cl);
        Class<?> envC = Class.forName(pkg + ".env.Environment", false, cl);
        Class<?> settingsC = Class.forName(pkg + ".common.settings.Settings", false, cl);

        // Settings
        Object builder = settingsC.getMethod("builder").invoke(null);
        Method put = builder.getClass().getMethod("put", String.class, String.class);
        for (Map.Entry<String, String> e : settings.entrySet()) {
            put.invoke(builder, e.getKey(), e.getValue());
        }
        Object built = builder.getClass().getMethod("build").invoke(builder);

        // Environment
        Class<?> prep = Class.forName(pkg + ".node.InternalSettingsPreparer", false, cl);
        Object env = null;
        final String nodeName = settings.getOrDefault("node.name", "node");
        for (Method m : prep.getMethods()) {
            if (!m.getName().equals("prepareEnvironment")) {
                continue;
            }
            Class<?>[] p = m.getParameterTypes();
            if (p.length == 4 && p[1] == Map.class && p[3] == Supplier.class) {
                // ES 7.x, OpenSearch: (Settings, Map<String,String>, Path configPath, Supplier<String> defaultNodeName)
                Supplier<String> name = () -> nodeName;
                env = m.invoke(null, built, Collections.emptyMap(), null, name);
                break;
            }
            if (p.length == 4 && p[2] == Map.class && p[3] == Path.class) {
                // ES 6.x: (Settings, Terminal, Map<String,String>, Path configPath)
                env = m.invoke(null, built, null, Collections.emptyMap(), null);
                break;
            }
        }
        if (env == null) {
            throw new IllegalStateException("no known InternalSettingsPreparer.prepareEnvironment signature");
        }

        // Plugins
        Set<String> names = new TreeSet<>(found.keySet());
        names.addAll(extra);
        names.removeAll(excluded);
        if (asModules) {
            // Present the module jars the way a distribution does: as modules/<name>/ bundles, named like the
            // distribution's modules (reindex, transport-netty4, ...). The bundle folders hold only the
            // descriptor; the classes are found through the parent (application) class loader.
            Path modulesDir = Paths.get(settings.get("path.home"), "modules");
            String current = Class.forName(pkg + ".Version", false, cl).getField("CURRENT").get(null).toString();
            String productKey = pkg.equals("org.opensearch") ? "opensearch.version" : "elasticsearch.version";
            Set<String> moduleNames = new TreeSet<>();
            for (String n : new ArrayList<>(names)) {
                String jarPath = found.get(n);
                if (jarPath == null) {
                    continue;
                }
                String jar = new File(jarPath).getName();
                String mod = jar.replaceAll("-\\d[^-]*(-SNAPSHOT)?\\.jar$", "").replaceAll("-client$", "");
                if (!moduleNames.add(mod)) {
                    throw new IllegalStateException("two plugin classes in " + jar + ": use --classpath-plugins");
                }
                Path d = modulesDir.resolve(mod);
                Files.createDirectories(d);
                Files.copy(Paths.get(jarPath), d.resolve(jar), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                for (String c : companions.getOrDefault(jarPath, Collections.emptyList())) {
                    Files.copy(Paths.get(c), d.resolve(new File(c).getName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                String desc = "description=" + mod + " module (espreflight test node: loaded from the classpath)\n"
                        + "version=" + current + "\n" + "name=" + mod + "\n" + "classname=" + n + "\n"
                        + "java.version=1.8\n" + productKey + "=" + current + "\n" + "extended.plugins=\n"
                        + "has.native.controller=false\n";
                Files.write(d.resolve("plugin-descriptor.properties"), desc.getBytes(StandardCharsets.UTF_8));
                names.remove(n);
            }
            System.out.println("[launcher] modules: " + moduleNames);
        }
        List<Class<?>> plugins = new ArrayList<>();
        for (String n : names) {
            plugins.add(Class.forName(n, false, cl));
        }
        System.out.println("[launcher] " + pkg + " node, classpath plugins: " + names);

        Class<?> concrete = nodeC;
        if (Modifier.isAbstract(nodeC.getModifiers())) {
            // Elasticsearch 6.x: Node is abstract; the subclass comes from launcher-es6
            concrete = Class.forName("espreflight.nodes.es6.Es6Node", false, cl);
        }
        Constructor<?> ctor = concrete.getDeclaredConstructor(envC, Collection.class, boolean.class);
        ctor.setAccessible(true);
        Collection<Object> pluginArg = new ArrayList<>();
        if (ctor.getGenericParameterTypes()[1].getTypeName().contains("PluginInfo")) {
            // OpenSearch 3.x: descriptors instead of classes
            Class<?> infoC = Class.forName(pkg + ".plugins.PluginInfo", false, cl);
            Class<?> versionC = Class.forName(pkg + ".Version", false, cl);
            Object current = versionC.getField("CURRENT").get(null);
            Constructor<?> ic = infoC.getConstructor(String.class, String.class, String.class, versionC, String.class,
                    String.class, List.class, boolean.class);
            String javaVersion = Integer.toString(Runtime.version().feature());
            for (Class<?> p : plugins) {
                pluginArg.add(ic.newInstance(p.getName(), "classpath plugin", "NA", current, javaVersion, p.getName(),
                        Collections.emptyList(), false));
            }
        } else {
            pluginArg.addAll(plugins);
        }
        final Object node = ctor.newInstance(env, pluginArg, true);
        final CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                nodeC.getMethod("close").invoke(node);
                try {
                    nodeC.getMethod("awaitClose", long.class, TimeUnit.class).invoke(node, 20L, TimeUnit.SECONDS);
                } catch (NoSuchMethodException ignored) {
                    // 6.x has no awaitClose
                }
            } catch (Throwable t) {
                t.printStackTrace();
            } finally {
                done.countDown();
            }
        }, "launcher-shutdown"));
        try {
            nodeC.getMethod("start").invoke(node);
        } catch (Throwable t) {
            t.printStackTrace();
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
        if (pidFile != null) {
            Files.write(Paths.get(pidFile), (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        System.out.println("[launcher] node started, pid " + ProcessHandle.current().pid());
        done.await();
    }

    private static ClassLoader loader(List<String> jars) throws Exception {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = new File(jars.get(i)).toURI().toURL();
        }
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    private static boolean exists(ClassLoader cl, String name) {
        try {
            Class.forName(name, false, cl);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Concrete Plugin subclasses named *Plugin under pkg, in every classpath jar but the server jar. */
    private static Map<String, String> scanPlugins(ClassLoader cl, String pkg, List<String> jars) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        Class<?> pluginC = Class.forName(pkg + ".plugins.Plugin", false, cl);
        String serverJar = new File(pluginC.getProtectionDomain().getCodeSource().getLocation().toURI()).getName();
        String prefix = pkg.replace('.', '/') + "/";
        for (String entry : jars) {
            if (!entry.endsWith(".jar")) {
                continue;
            }
            File f = new File(entry);
            if (!f.isFile() || f.getName().equals(serverJar)) {
                continue;
            }
            try (JarFile jar = new JarFile(f)) {
                Enumeration<JarEntry> en = jar.entries();
                while (en.hasMoreElements()) {
                    String n = en.nextElement().getName();
                    if (!n.startsWith(prefix) || !n.endsWith("Plugin.class") || n.contains("$")) {
                        continue;
                    }
                    String cn = n.substring(0, n.length() - ".class".length()).replace('/', '.');
                    try {
                        Class<?> c = Class.forName(cn, false, cl);
                        if (pluginC.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())
                                && Modifier.isPublic(c.getModifiers()) && !c.isInterface()) {
                            out.put(cn, f.getPath());
                        }
                    } catch (Throwable ignored) {
                        // class with missing optional dependencies: not a module plugin we can use
                    }
                }
            }
        }
        return out;
    }
}
