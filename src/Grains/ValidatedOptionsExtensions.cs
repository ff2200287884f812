using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Herald.Grains;

public static class ValidatedOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from <paramref name="section"/> and validates it at startup, so a bad value
    /// stops the process with a message naming it instead of failing later on a hot path.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    /// <summary>
    /// <see cref="AddValidatedOptions{T}(IServiceCollection, string)"/> for a section that was renamed: what is still
    /// set under <paramref name="formerSection"/> is read first, and the same key under <paramref name="section"/> wins.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section, string formerSection) where T : class =>
        services.AddOptions<T>().BindConfiguration(formerSection).BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
