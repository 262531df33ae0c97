// "logging", as cells import it: Python's logging module, one configuration for every thread of the kernel
// (config.ts). This file is the module's whole public surface (the kernel's import check and the editor's typings
// are read off it); the rest of the folder is how it works.
export { CRITICAL, FATAL, ERROR, WARNING, WARN, INFO, DEBUG, NOTSET, getLevelName, addLevelName, getLevelNamesMapping } from "./levels";
export type { Level } from "./levels";
export { Logger, getLogger, root, lastResort } from "./logger";
export { basicConfig, debug, info, warning, error, critical, exception, log, disable } from "./basic";
export type { BasicConfigOptions } from "./basic";
export { Handler, NullHandler, NotImplementedError } from "./handler";
export { StreamHandler, FileHandler } from "./streams";
export type { Stream } from "./streams";
export { QueueHandler, QueueListener } from "./queues";
export type { LogQueue, QueueListenerOptions } from "./queues";
export { Formatter, BASIC_FORMAT } from "./formatter";
export type { FormatterOptions } from "./formatter";
export { LogRecord, makeLogRecord } from "./record";
